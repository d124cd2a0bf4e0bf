"""Course exports landed in the landing bucket: Open edX Studio (per deployment) and Canvas.

* ``openedx``: courses whose published content changed since their last export are exported
  through Studio's export API (start, poll, download) and land at
  ``<deployment>/openedx/raw_data/course_xml/<course_id>/<sha256>.xml.tar.gz``.
* ``canvas``: each course's common-cartridge export lands at
  ``canvas/course_content/<course_id>/<sha256>.imscc`` with ``<sha256>_metadata.json``.
* ``ledger``: what was last exported per course, kept in the landing bucket itself so reruns
  and fresh workers agree; ``landing``: content-addressed writes to the bucket.

Each export DAG emits ``export_asset(source)`` listing the archives that newly landed.
"""
