from plombiers.enums import StatusChoices, Tone


class AttestationState(StatusChoices):
    """Not a stored field: an attestation is revoked when it has a revocation date."""

    VALID = "valide", "Valide"
    REVOKED = "revoquee", "Révoquée"

    @classmethod
    def tones(cls):
        return {
            cls.VALID: Tone.POSITIVE,
            cls.REVOKED: Tone.PROBLEM,
        }
