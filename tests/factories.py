"""Small cases without the demo: factory-boy factories for an organisation, its people and their
logins, and `user`, which fetches a login (a demo persona or one made here) with its person.

    nurse = PersonFactory(organisation=OrganisationFactory(slug="test-trust"))
    tess = UserFactory(person=nurse, roles=[(Role.TALENT_ADMIN, nurse.organisation)])

The `demo` fixture (tests/conftest.py) is the world for tests about the product as a whole;
these are for a rule that needs two or three rows.
"""

import factory
from factory.django import DjangoModelFactory, Password

from clinlead.accounts.models import RoleGrant, User
from clinlead.org.models import Organisation, Person

PASSWORD = "not-used-here-1"


def user(username):
    """The login called `username`, with its person."""
    return User.objects.select_related("person").get(username=username)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test Trust {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    staff_number = factory.Sequence(lambda n: f"T{n:06d}")
    first_name = factory.Sequence(lambda n: f"Test{n}")
    last_name = "Person"
    work_email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@example.org")
    profession = "nurse"
    grade = "Band 5"


class UserFactory(DjangoModelFactory):
    """A login; `roles=[(Role.X, organisation), ...]` grants roles after it is saved."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = Password(PASSWORD)
    person = None

    @factory.post_generation
    def roles(self, create, grants, **kwargs):
        for role, organisation in grants or ():
            RoleGrant.objects.create(user=self, role=role, organisation=organisation)
