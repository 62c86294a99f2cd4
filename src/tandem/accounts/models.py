"""People, organisations, roles and invitations."""

from __future__ import annotations

import hashlib
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.text import contains_bidi_controls, has_visible_text, validate_no_bidi_controls

PSEUDONYM_MAX_LENGTH = 30
PSEUDONYM_MIN_LENGTH = 3

pseudonym_validator = RegexValidator(
    regex=r"^[^\W_][\w .'-]*[^\W_]$",
    message=_(
        "A display name can use letters, numbers, spaces, dots, hyphens and apostrophes, "
        "and must start and end with a letter or number."
    ),
)


class Role(models.TextChoices):
    SERVICE_USER = "service_user", _("Service user")
    PROVIDER = "provider", _("Care provider")
    MODERATOR = "moderator", _("Moderator")
    FACILITATOR = "facilitator", _("Course facilitator")
    RESEARCHER = "researcher", _("Researcher")
    ORG_ADMIN = "org_admin", _("Organisation admin")


class AgeCheck(models.TextChoices):
    """How an organisation establishes a person's age (the rule is in ``accounts.age``)."""

    SELF_DECLARED = "self_declared", _("The date of birth the person gives is enough")
    PROVIDER = "provider", _("A care provider or an organisation admin confirms it")
    ADMIN = "admin", _("An organisation admin confirms it")


class AvatarColour(models.TextChoices):
    """The colours of a generated avatar (accounts/templatetags/avatars.py); empty: from the name."""

    BLUE = "0", _("Blue")
    GREEN = "1", _("Green")
    RUST = "2", _("Rust")
    PURPLE = "3", _("Purple")
    TEAL = "4", _("Teal")
    RASPBERRY = "5", _("Raspberry")
    SLATE = "6", _("Slate")
    OCHRE = "7", _("Ochre")


class AvatarShape(models.TextChoices):
    """The outline of a generated avatar; empty: from the name."""

    CIRCLE = "circle", _("Circle")
    SQUARE = "square", _("Rounded square")
    HEXAGON = "hexagon", _("Hexagon")
    FLOWER = "flower", _("Flower")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("pseudonym", email.split("@", 1)[0][:PSEUDONYM_MAX_LENGTH])
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by email; appears in peer spaces only by pseudonym."""

    email = models.EmailField(_("email address"), unique=True, max_length=254)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    pseudonym = models.CharField(
        _("display name"),
        max_length=PSEUDONYM_MAX_LENGTH,
        validators=[pseudonym_validator],
        help_text=_("The name others see in peer spaces. Do not use your real name."),
    )
    profession = models.CharField(
        _("profession"),
        max_length=100,
        blank=True,
        help_text=_(
            "For professionals: shown with the professional badge, e.g. 'Mental health nurse'."
        ),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Who checked the date of birth, and in which role: under AgeCheck.ADMIN only an admin's
    # confirmation counts (accounts.age.age_is_confirmed).
    age_confirmed_at = models.DateTimeField(null=True, blank=True)
    age_confirmed_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_confirmed_as = models.CharField(max_length=20, choices=Role.choices, blank=True)
    # A generated avatar, never a photo: drawn from the pseudonym, in the colour and shape the
    # person picks (empty: chosen from the pseudonym too).
    avatar_colour = models.CharField(
        _("avatar colour"), max_length=2, choices=AvatarColour.choices, blank=True
    )
    avatar_shape = models.CharField(
        _("avatar shape"), max_length=10, choices=AvatarShape.choices, blank=True
    )
    # Empty: the browser's preference (then the site's default). Set from the organisation's
    # default when the account is made; the person changes it on their account page.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("pseudonym"), name="accounts_user_pseudonym_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    def get_full_name(self) -> str:
        return self.full_name or self.pseudonym

    def get_short_name(self) -> str:
        return self.pseudonym


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    require_mfa_for_everyone = models.BooleanField(
        _("require two-step verification for everyone"),
        default=False,
        help_text=_(
            "Off by default: a person in distress must never be locked out of their crisis plan."
        ),
    )
    age_check = models.CharField(
        _("how a person's age is established"),
        max_length=20,
        choices=AgeCheck.choices,
        default=AgeCheck.SELF_DECLARED,
        help_text=_(
            "Until their age is confirmed, a person cannot join communities for an age group. "
            "Everything else stays open to them."
        ),
    )
    default_language = models.CharField(
        _("language for new people"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("People who join can change it on their account page."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


# Roles that see other people's data or act on it: they must use two-step verification.
MFA_REQUIRED_ROLES = frozenset({Role.PROVIDER, Role.MODERATOR, Role.RESEARCHER, Role.ORG_ADMIN})


class Membership(models.Model):
    """One role a person holds in one organisation; a person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Only meaningful for providers: unverified providers see no service user's data.
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="accounts_membership_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"

    @property
    def is_verified(self) -> bool:
        return self.role != Role.PROVIDER or self.verified_at is not None


class Invitation(models.Model):
    """A single-use, expiring invitation to join an organisation with a role.

    Only a SHA-256 digest of the token is stored, so a database leak does not leak usable links.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # A care provider's profession, as their professional badge will show it; set on their
    # account when they accept. Empty for every other role.
    profession = models.CharField(_("profession"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"

    def clean(self) -> None:
        """A care provider is invited with their profession (their badge in communities says
        it), typed as one visible line; nobody else is invited with one."""
        super().clean()
        self.profession = self.profession.strip()
        if self.role != Role.PROVIDER:
            if self.profession:
                raise ValidationError(
                    {
                        "profession": _(
                            "Only care providers are invited with a profession. Leave it empty "
                            "for this role."
                        )
                    }
                )
            return
        if not has_visible_text(self.profession):
            raise ValidationError(
                {
                    "profession": _(
                        "Enter the care provider's profession, for example Mental health "
                        "nurse: their professional badge shows it."
                    )
                }
            )
        if contains_bidi_controls(self.profession):
            raise ValidationError({"profession": validate_no_bidi_controls.message})

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class CrisisContact(models.Model):
    """A place to turn to in a crisis, listed on the 'Need help now?' page of an organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="crisis_contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    text_number = models.CharField(_("text message number"), max_length=40, blank=True)
    url = models.URLField(_("website"), blank=True)
    description = models.CharField(_("when to contact them"), max_length=300, blank=True)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name
