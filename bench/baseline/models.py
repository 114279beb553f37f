"""The five tables a conversation create touches, plus the bearer-token table."""

from __future__ import annotations

from django.db import models


class BenchModel(models.Model):
    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class ApiToken(BenchModel):
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, default="bench")


class Customer(BenchModel):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField()


class Identity(BenchModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20)
    value = models.CharField(max_length=320)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique")]


class Conversation(BenchModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    brand_id = models.BigIntegerField(null=True)
    subject = models.CharField(max_length=300)
    language = models.CharField(max_length=16)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(max_length=20, default="open")
    created_at = models.DateTimeField()


class Message(BenchModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE)
    direction = models.CharField(max_length=10)
    body = models.TextField()
    created_at = models.DateTimeField()


class AuditEntry(BenchModel):
    action = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    actor = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
