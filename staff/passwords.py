import re

from django.conf import settings
from django.core.exceptions import ValidationError

# Words an attacker guesses first for this site's staff.
CONTEXT_WORDS = {"ketamine", "therapy", "therapist", "psychotherapy", "clinic", "practice", "kap"}


class PracticeWordsValidator:
    """Refuse passwords built on the practice's own name or line of work."""

    def __init__(self):
        name_words = re.findall(r"[a-z]{4,}", settings.PRACTICE_NAME.lower())
        self.words = sorted(CONTEXT_WORDS | set(name_words), key=len, reverse=True)

    def validate(self, password, user=None):
        letters = re.sub(r"[^a-z]", "", password.lower())
        # Short words only count as the whole password's stem, long ones anywhere in it.
        for word in self.words:
            if (len(word) > 3 and word in letters) or letters == word:
                raise ValidationError(
                    "This password is too easy to guess here: it contains “%(word)s”.",
                    code="password_practice_word",
                    params={"word": word},
                )

    def get_help_text(self):
        return (
            "Your password can’t contain the practice’s name or words like “therapy” or “ketamine”."
        )
