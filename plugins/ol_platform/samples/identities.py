"""Who is who across the sample systems: which accounts of different platforms are one person.

Every sample database generates its own accounts; this module fixes the few identifiers the
real applications share, so the warehouse's person linking has something true to find:

- MITx Online: the Open edX account ``i`` (1..800, username ``mitxtuser<i>``) belongs to the
  application user ``i + 1000``, recorded in the app's ``openedx_openedxuser``. The Open edX
  account carries the app email, except every tenth, whose learner later changed their email
  in the app only (then only ``openedx_openedxuser`` links the pair).
- xPRO: the app creates the Open edX account under the learner's username (app user ``k`` owns
  Open edX account :func:`xpro_openedx_user_of_app` ``(k)``); every fifth xPRO learner uses on
  xPRO the email of a MITx Online learner (the same person on two platforms).
- MicroMasters user ``k`` (1..400) signed in with edX.org: its social-auth ``uid`` is the
  edX.org username of edX.org user ``k``. Its email is that edX.org email, or the email of a
  MITx Online learner (every third), or an address used nowhere else (every tenth).
- Bootcamps learners share emails with xPRO and MITx Online learners; two Bootcamps accounts
  share one email (ambiguous: they stay two people, and that email links nothing).
- MIT Learn users 1..300 hold the email of a MITx Online learner.

Cross-sample identities are computed for the default seed, as every sample is generated with
it; ids of one system are never reused as ids of another.
"""

from __future__ import annotations

from functools import lru_cache

from ol_platform.samples import mitxonline_app

SEED = 7
MITXONLINE_OPENEDX_USERS = 800
XPRO_USERS = 300
MICROMASTERS_USERS = 400
BOOTCAMPS_USERS = 300
MITLEARN_LINKED_USERS = 300
# The two Bootcamps accounts that share one email, and the MITx Online learner whose email
# it is (an email held twice in one system links nobody).
BOOTCAMPS_SHARED_EMAIL_PAIR = (299, 300)
MITXONLINE_USER_OF_SHARED_BOOTCAMPS_EMAIL = 2999


def mitxonline_app_user_of_openedx(openedx_user_id: int, app_users: int = 3000) -> int:
    """The app user owning an Open edX account (``app_users``: the app sample's size)."""
    return (openedx_user_id + 999) % app_users + 1


def openedx_email_is_stale(openedx_user_id: int) -> bool:
    return openedx_user_id % 10 == 0


def xpro_openedx_user_of_app(app_user_id: int) -> int:
    # A permutation of 1..300 (7 and 300 are coprime): ids of the two systems differ.
    return (app_user_id * 7) % XPRO_USERS + 1


def xpro_mitxonline_user(app_user_id: int) -> int | None:
    """The MITx Online learner an xPRO learner is, if any."""
    return 2000 + app_user_id if app_user_id % 5 == 0 else None


@lru_cache(maxsize=2)
def mitxonline_app_users(seed: int = SEED) -> dict[int, dict]:
    """The MITx Online application's users by id (default sample size)."""
    return {u["id"]: u for u in mitxonline_app.generate(seed)["users_user"]}


def mitxonline_email(user_id: int) -> str:
    return mitxonline_app_users()[user_id]["email"]


def xpro_openedx_email(openedx_user_id: int) -> str:
    return f"xprouser{openedx_user_id}@example.org"


def xpro_app_email(app_user_id: int) -> str:
    mitxonline_user = xpro_mitxonline_user(app_user_id)
    if mitxonline_user is not None:
        return mitxonline_email(mitxonline_user)
    return xpro_openedx_email(xpro_openedx_user_of_app(app_user_id))


def bootcamps_email(user_id: int, username: str) -> str:
    if user_id in BOOTCAMPS_SHARED_EMAIL_PAIR:
        return mitxonline_email(MITXONLINE_USER_OF_SHARED_BOOTCAMPS_EMAIL)
    if user_id % 4 == 0:
        return xpro_app_email(user_id)
    if user_id % 7 == 0:
        return mitxonline_email(2500 + user_id)
    return f"{username}@example.net"


def micromasters_email(user_id: int, edxorg_email: str, username: str) -> str:
    if user_id % 10 == 0:
        return f"{username}@example.com"
    if user_id % 3 == 0:
        return mitxonline_email(1000 + user_id)
    return edxorg_email


def mitlearn_user_of(user_id: int) -> dict | None:
    """The MITx Online learner a MIT Learn user is, if any (same email and name)."""
    if user_id <= MITLEARN_LINKED_USERS:
        return mitxonline_app_users()[1500 + user_id]
    return None
