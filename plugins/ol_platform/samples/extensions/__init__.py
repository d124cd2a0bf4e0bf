"""Tables added to the sample databases by subject (programs, commerce, profiles, ...).

Each module declares its tables on a sample database's metadata and registers their rows with
``app_databases.extends``; importing this package registers them all.
"""

import importlib

# Registration order is generation order: a later module reads the rows of earlier ones
# (commerce sells the programs' products to the learners of the profiles).
for _module in (
    "user_profiles",
    "programs",
    "course_pages",
    "xpro_course_pages",
    "commerce",
    "partners",
    "b2b",
):
    importlib.import_module(f"{__name__}.{_module}")
