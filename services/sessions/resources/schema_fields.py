"""What sessions' HTTP bodies share: id lengths, plausible years, the lists they choose from."""

from datetime import UTC, date, datetime

from marshmallow import fields, validate

from common.schemas import moments_between

KINDS = ("training_workshop", "coaching_session")
FORMATS = ("classroom", "semi_structured_coaching")
ROLES = ("regional_advisor", "law_enforcement_expert", "prosecution_expert", "trainer",
         "coach", "interpreter")
LANGUAGES = ("en", "ur")
# Who a series may be open to: the genders registration records (its GENDERS).
GENDERS = ("female", "male", "other", "not_stated")
ID = validate.Length(min=1, max=64)
# Plausible years for what is planned here (README, "What the APIs accept"); they also keep
# a moment's UTC form and a reminder days before it inside the calendar.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
PLAUSIBLE_MOMENT = moments_between(datetime(2000, 1, 1, tzinfo=UTC),
                                   datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC))
PLAUSIBLE_DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY,
                               error="must be between 2000-01-01 and 2099-12-31")
IN_YEARS = {"description": "between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59Z"}


def names(max_items: int = 20):
    return fields.List(fields.String(validate=validate.Length(min=1, max=120)),
                       load_default=list, validate=validate.Length(max=max_items))
