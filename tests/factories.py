import factory
from factory.django import DjangoModelFactory

from directory.models import Location, Practitioner, Technique


class TechniqueFactory(DjangoModelFactory):
    class Meta:
        model = Technique
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Technique {n}")
    slug = factory.Sequence(lambda n: f"technique-{n}")


class PractitionerFactory(DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    name = factory.Faker("name")
    credentials = "DC"
    email = factory.Faker("email")
    phone = "555-0100"
    status = Practitioner.Status.PUBLISHED

    @factory.post_generation
    def techniques(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.techniques.set(extracted)


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location

    practitioner = factory.SubFactory(PractitionerFactory)
    clinic_name = factory.LazyAttribute(lambda location: f"{location.practitioner.name} Upper Cervical")
    address_line1 = factory.Faker("street_address")
    city = "Boston"
    state = "MA"
    postal_code = "02108"
    country = Location.Country.US
    latitude = 42.3576
    longitude = -71.0684


def practitioner_at(latitude: float, longitude: float, techniques=(), **fields) -> Practitioner:
    """A published practitioner with one location at the given point."""
    practitioner = PractitionerFactory(techniques=list(techniques), **fields)
    LocationFactory(practitioner=practitioner, latitude=latitude, longitude=longitude)
    return practitioner
