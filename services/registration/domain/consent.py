"""The consent policies an officer can have agreed to, by version (`consent.policy_version`).

A new policy text gets a new version here (and in README); versions already given stay valid.
"""

# version -> the first day it was in force
POLICY_VERSIONS = {"2020-10": "2020-10-01", "2021-01": "2021-01-01"}
CURRENT = "2021-01"
