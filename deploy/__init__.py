"""Deploy gaap-opener to SCF through the official SCF API: `python -m deploy [--dry-run] [--rollback VERSION]`.

Read top to bottom: `template` (template.yaml and its rules) → `packages` (the zips and their
content hashes) → `scf` (what SCF has now, and the calls that change it) → `plan` (pure: desired
versus current → the actions) → `__main__` (print the plan, run it, wait where SCF needs it).
"""
