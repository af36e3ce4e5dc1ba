from plombiers.accounts.enums import Role
from plombiers.enums import StatusChoices, Tone

# The roles one invites into a school's team (a network staff member is invited to the network).
INVITABLE_ROLES = (Role.NETWORK_STAFF, Role.SCHOOL_MANAGER, Role.TRAINER, Role.SOCIAL_WORKER)


class InvitationState(StatusChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    EXPIRED = "expired", "Expirée"
    REVOKED = "revoked", "Révoquée"

    @classmethod
    def tones(cls):
        return {cls.ACCEPTED: Tone.POSITIVE, cls.EXPIRED: Tone.CLOSED, cls.REVOKED: Tone.CLOSED}
