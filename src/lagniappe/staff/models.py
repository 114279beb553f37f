"""The people who serve customers: agents (the user model), teams, skills and languages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.languages import Language
from lagniappe.core.models import TimestampedModel


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    CHAMPION = "champion", _("Department champion")


class AgentManager(BaseUserManager["Agent"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Agent:
        agent = self.model(email=self.normalize_email(email).lower(), **fields)
        agent.set_password(password)
        agent.save(using=self._db)
        return agent

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Agent:
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **fields)


class Agent(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: frontline agent, supervisor, champion or administrator."""

    organisation = models.ForeignKey(
        "tenancy.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agents",
        null=True,
        blank=True,
    )
    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(_("display name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    brands = models.ManyToManyField(
        "tenancy.Brand", verbose_name=_("brands"), related_name="agents", blank=True
    )
    ui_language = models.CharField(
        _("interface language"), max_length=8, choices=Language.choices, blank=True
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    chat_capacity = models.PositiveSmallIntegerField(_("concurrent chats"), default=3)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), auto_now_add=True)

    objects: ClassVar[AgentManager] = AgentManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.email


class Team(TimestampedModel):
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="teams",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64)
    brands = models.ManyToManyField(
        "tenancy.Brand", verbose_name=_("brands"), related_name="teams", blank=True
    )
    members = models.ManyToManyField(
        Agent, verbose_name=_("members"), related_name="teams", blank=True
    )
    handles_complaints = models.BooleanField(_("complaint-resolution team"), default=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Skill(TimestampedModel):
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="skills",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="skill_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AgentSkill(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="agent_levels")
    level = models.PositiveSmallIntegerField(_("level (1-5)"), default=3)

    class Meta:
        verbose_name = _("agent skill")
        verbose_name_plural = _("agent skills")
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="agent_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="agent_skill_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.skill} ({self.level})"


class AgentLanguage(models.Model):
    class Proficiency(models.TextChoices):
        NATIVE = "native", _("Native")
        FLUENT = "fluent", _("Fluent")
        BASIC = "basic", _("Basic")

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    proficiency = models.CharField(
        _("proficiency"), max_length=8, choices=Proficiency.choices, default=Proficiency.FLUENT
    )

    class Meta:
        verbose_name = _("agent language")
        verbose_name_plural = _("agent languages")
        constraints = [
            models.UniqueConstraint(fields=["agent", "language"], name="agent_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.language}"


class AgentToken(TimestampedModel):
    """A personal API bearer token. Only its SHA-256 is stored; the secret is shown once."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, default="api")
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.agent})"
