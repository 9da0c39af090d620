"""E-mails the worker gave up on, kept in the public schema for a platform administrator.

A row says which agency, which request (its reference, as on the public
ledger), which step, who did not get it and why, and how to send it again
(the task's name and its ids). It never holds the e-mail's text or anything
else private to the agency: that stays in the agency's schema, and "Send
again" renders it afresh there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FailedNotification(models.Model):
    failed_at = models.DateTimeField(_("failed at"), default=timezone.now)
    agency = models.ForeignKey(
        "tenants.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The schema the task ran in (the agency's); the task is queued there again.
    schema_name = models.CharField(_("schema"), max_length=63)
    task_name = models.CharField(_("task"), max_length=200)
    # Ids only (ticket, step, actor, message): never text.
    task_args = models.JSONField(_("task arguments"), default=list)
    # The first run's id: sending again skips the addresses that run already wrote to.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    step = models.CharField(_("step"), max_length=32, blank=True)
    recipients = models.TextField(_("not sent to"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.CharField(_("error"), max_length=500)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("failed notification")
        verbose_name_plural = _("failed notifications")
        ordering = ["-failed_at"]
        indexes = [
            models.Index(
                fields=["-failed_at"], name="failed_notification_open", condition=models.Q(resolved_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.task_name} {self.step} ({self.failed_at:%Y-%m-%d %H:%M})"
