from django.core.validators import RegexValidator

#: A ROME code (répertoire opérationnel des métiers et des emplois): one letter A–N, four digits.
validate_rome_code = RegexValidator(
    r"^[A-N]\d{4}$", "Un code ROME s'écrit d'une lettre et quatre chiffres (ex. I1307)."
)
