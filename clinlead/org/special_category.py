"""Special-category data (UK GDPR art. 9): kept in its own table, read only through
`clinlead.accounts.permissions.can_see_special_category` and shown only in aggregates
that pass the anonymity rule. Nothing here is ever shown for one person.
"""

from django.db import models


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Another gender"
    NOT_STATED = "not_stated", "Prefer not to say"


# ONS 2021 census ethnic groups for England and Wales: (code, high-level group, label).
ETHNIC_GROUPS = [
    ("asian_bangladeshi", "Asian", "Bangladeshi"),
    ("asian_chinese", "Asian", "Chinese"),
    ("asian_indian", "Asian", "Indian"),
    ("asian_pakistani", "Asian", "Pakistani"),
    ("asian_other", "Asian", "Any other Asian background"),
    ("black_african", "Black", "African"),
    ("black_caribbean", "Black", "Caribbean"),
    ("black_other", "Black", "Any other Black, Black British or Caribbean background"),
    ("mixed_white_asian", "Mixed", "White and Asian"),
    ("mixed_white_black_african", "Mixed", "White and Black African"),
    ("mixed_white_black_caribbean", "Mixed", "White and Black Caribbean"),
    ("mixed_other", "Mixed", "Any other Mixed or multiple ethnic background"),
    ("white_british", "White", "English, Welsh, Scottish, Northern Irish or British"),
    ("white_irish", "White", "Irish"),
    ("white_gypsy_traveller", "White", "Gypsy or Irish Traveller"),
    ("white_roma", "White", "Roma"),
    ("white_other", "White", "Any other White background"),
    ("other_arab", "Other ethnic group", "Arab"),
    ("other_any", "Other ethnic group", "Any other ethnic group"),
    ("not_stated", "Not stated", "Prefer not to say"),
]
ETHNICITY_CHOICES = [(code, f"{group}: {label}") for code, group, label in ETHNIC_GROUPS]
ETHNIC_GROUP_OF = {code: group for code, group, _ in ETHNIC_GROUPS}


class Demographics(models.Model):
    person = models.OneToOneField(
        "org.Person", on_delete=models.CASCADE, related_name="demographics", primary_key=True
    )
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_STATED)
    ethnicity = models.CharField(max_length=40, choices=ETHNICITY_CHOICES, default="not_stated")

    class Meta:
        verbose_name_plural = "demographics"
        default_permissions = ()

    def __str__(self):
        # Never the values themselves: this string can reach logs and the audit trail.
        return f"Demographics record {self.pk}"
