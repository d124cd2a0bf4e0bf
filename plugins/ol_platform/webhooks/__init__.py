"""MIT Learn content webhooks: one signed POST per newly landed course export.

``payloads`` turns an export Asset event's archive item into the exact JSON body,
``signature`` signs it, ``client`` posts it with retries, ``ledger`` remembers what MIT Learn
acknowledged and ``delivery`` ties them together for the ``mit_learn_webhooks`` DAG.
"""
