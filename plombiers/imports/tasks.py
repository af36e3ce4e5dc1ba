"""Big imports run in the task queue (`plombiers db_worker`); the page polls their progress."""

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from .services import job_run

    job_run(job_id=job_id)
