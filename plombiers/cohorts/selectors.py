"""Reads shared by the cohort pages and the API."""

from plombiers.accounts.models import User


def school_members(school_ids, role: str):
    """People holding `role` in one of these schools: who may train or support a cohort there."""
    return (
        User.objects.filter(is_active=True, memberships__role=role, memberships__school__in=school_ids)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
