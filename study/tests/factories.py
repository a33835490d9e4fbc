import factory
from django.utils import timezone

from study.models import Card


class CardFactory(factory.django.DjangoModelFactory):
    """A learner's card of a question; its exam is the question's, as the services set it."""

    class Meta:
        model = Card

    exam = factory.LazyAttribute(lambda card: card.question.exam)
    due = factory.LazyFunction(timezone.now)
    last_review = factory.LazyFunction(timezone.now)
    last_rating = Card.Rating.AGAIN
    reps = 1
    misses = 1
