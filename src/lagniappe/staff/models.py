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
    notify_desktop = models.BooleanField(_("desktop notifications"), default=True)
    notify_sound = models.BooleanField(_("notification sound"), default=True)
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


# -- per-agent workspace state: presence, notifications, read marks, canned responses -----
# (the conversation is referenced by name: staff sits below conversations)


class AgentPresence(models.Model):
    """One open workspace socket. An agent is online while one of theirs was seen recently
    (a crashed process leaves rows behind; they stop counting when they go stale)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="presences")
    channel_name = models.CharField(_("socket"), max_length=200, unique=True)
    connected_at = models.DateTimeField(_("connected"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")

    def __str__(self) -> str:
        return f"{self.agent} · {self.channel_name}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("Mentioned you")
    CHAT_ASSIGNED = "chat_assigned", _("New chat assigned to you")
    TRANSFER = "transfer", _("Transferred to you")
    CUSTOMER_REPLIED = "customer_replied", _("The customer replied")


class Notification(models.Model):
    """Something an agent should look at. Only the recipient ever sees it."""

    recipient = models.ForeignKey(
        Agent, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    conversation = models.ForeignKey(
        "conversations.Conversation",
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The note that mentioned or handed over (one notification per recipient and note).
    note_id = models.PositiveBigIntegerField(_("note"), null=True, blank=True)
    actor_name = models.CharField(_("by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-id"], name="notif_recipient")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "note_id"],
                condition=models.Q(note_id__isnull=False),
                name="notification_once_per_note",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class ConversationSeen(models.Model):
    """The newest message of a conversation the agent has had on screen: customer messages
    after it are unread for that agent."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    message_id = models.PositiveBigIntegerField(_("newest message seen"), default=0)
    seen_at = models.DateTimeField(_("seen"))

    class Meta:
        verbose_name = _("conversation read mark")
        verbose_name_plural = _("conversation read marks")
        constraints = [
            models.UniqueConstraint(fields=["agent", "conversation"], name="seen_once_per_agent")
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.conversation_id} ≤ {self.message_id}"


class CannedResponse(models.Model):
    """A prepared reply of one brand (optionally for one language), inserted from the
    composer by its shortcut. Placeholders: {{customer.name}}, {{agent.name}}, …"""

    brand = models.ForeignKey(
        "tenancy.Brand",
        verbose_name=_("brand"),
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    shortcut = models.SlugField(_("shortcut"), max_length=40, allow_unicode=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["shortcut", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "language", "shortcut"], name="canned_shortcut_unique"
            )
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut} {self.title}"
