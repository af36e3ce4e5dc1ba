"""The competency frameworks for `plombiers init` (plombiers/lib/initial_data.py): every YAML file of
`frameworks/data`, as `plombiers load_frameworks` loads them."""

from plombiers.lib.initial_data import Load, LoadError

from .loader import FrameworkErrors, frameworks_load


def frameworks_ensure() -> str:
    try:
        created = frameworks_load()
    except FrameworkErrors as errors:
        raise LoadError(
            "Référentiels de compétences illisibles : " + " ; ".join(str(e) for e in errors.errors)
        ) from None
    if not created:
        return ""
    return "référentiels chargés : " + ", ".join(
        f"{framework} ({framework.skills.count()} compétences)" for framework in created
    )


LOADS = [Load(order=20, name="référentiels de compétences", run=frameworks_ensure)]
