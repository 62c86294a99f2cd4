from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "tandem.courses"
    label = "courses"
    verbose_name = _("Courses and topic weeks")

    def ready(self) -> None:
        # A course's notifications (reminders, topics opening) stay visible only to the people
        # still on the course: notifications, the lower app, asks us (notifications.scopes).
        from tandem.core.personal_data import register_personal_data
        from tandem.courses import selectors
        from tandem.courses.personal_data import SOURCE
        from tandem.notifications.scopes import register_scope

        register_scope(selectors.COURSE_SCOPE, selectors.course_scope_ids)
        # The person's courses in their export; on erasure they leave, freeing their places.
        register_personal_data(SOURCE)
