"""What running the application needs beside the domain: the task workers' heartbeats (a task
whose worker died is run again) and the e-mails already sent (never sent twice for one event)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A `plombiers db_worker` process, alive while `seen_at` moves (every few seconds) or, on the
    same machine, while its process exists."""

    worker_id = models.CharField("identifiant du worker", max_length=64, primary_key=True)
    host = models.CharField("machine", max_length=255)
    pid = models.PositiveIntegerField("processus")
    process_started = models.CharField("début du processus", max_length=32, blank=True)
    started_at = models.DateTimeField("démarré le")
    seen_at = models.DateTimeField("vu le", db_index=True)

    class Meta:
        verbose_name = "worker des tâches"
        verbose_name_plural = "workers des tâches"

    def __str__(self):
        return f"{self.worker_id} ({self.host}, {self.pid})"


class SentEmail(models.Model):
    """One e-mail of one event (`key`, ids only, no address): claimed before it is sent, marked
    sent after. An attempt that died between the two leaves it « uncertain », never sent again."""

    class State(models.TextChoices):
        SENDING = "sending", "en cours d'envoi"
        SENT = "sent", "envoyé"
        UNCERTAIN = "uncertain", "envoi interrompu (peut-être reçu)"

    key = models.CharField("événement", max_length=200, unique=True)
    state = models.CharField("état", max_length=16, choices=State.choices, default=State.SENDING)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "e-mail envoyé"
        verbose_name_plural = "e-mails envoyés"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.key} : {self.get_state_display()}"
