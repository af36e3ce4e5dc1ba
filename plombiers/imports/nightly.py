from plombiers.lib.nightly import Job

from . import services


def _forget() -> str:
    count = services.files_forget()
    return f"{count} fichier(s) d'import jamais importé(s) effacé(s)" if count else ""


JOBS = [Job(order=72, name="imports_forget_files", run=_forget)]
