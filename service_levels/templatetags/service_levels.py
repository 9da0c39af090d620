from django import template

from service_levels.selectors import describe_minutes

register = template.Library()
register.filter("business_minutes", describe_minutes)
