from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "plombiers.skills"
    verbose_name = "Compétences et observations"
