from django.db import migrations

from staff.roles import CLINICIANS, FRONT_DESK, grant

# Both roles keep the referral list and the "How did you hear about us?" answers.
LISTS = [
    f"consultations.{action}_{model}"
    for model in ("referral", "heardabout")
    for action in ("add", "change", "delete", "view")
]

HEARD_ABOUT = [
    "A friend or family member",
    "Another clinician or my doctor",
    "A search engine",
    "Psychology Today",
    "My insurance company",
    "Social media",
    "Something else",
]


def forwards(apps, schema_editor):
    grant(apps, FRONT_DESK, LISTS)
    grant(apps, CLINICIANS, LISTS)
    HeardAbout = apps.get_model("consultations", "HeardAbout")
    for position, name in enumerate(HEARD_ABOUT):
        HeardAbout.objects.get_or_create(name=name, defaults={"position": position})
    # Requests already received, keyed for spotting the same person (models.phone_key).
    ConsultationRequest = apps.get_model("consultations", "ConsultationRequest")
    for consultation in ConsultationRequest.objects.only("phone", "email").iterator():
        digits = "".join(character for character in consultation.phone if character.isdigit())
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        ConsultationRequest.objects.filter(pk=consultation.pk).update(
            phone_key=digits, email_key=consultation.email.strip().lower()
        )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0005_front_desk_tools"), ("practice", "0001_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
