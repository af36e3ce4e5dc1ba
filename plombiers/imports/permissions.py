"""Who may import: the school's manager and the staff of its network (they answer for the school's
records); nobody else, not even the school's trainers."""

from plombiers.accounts.enums import Role


def can_import(user, school) -> bool:
    return user.acts_for(school, Role.SCHOOL_MANAGER)
