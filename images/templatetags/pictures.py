"""{% picture %}: an uploaded image (an ImageField's file) in every size and format it is stored
in, for templates; images/sizes.py builds the markup, the same as for images in articles."""

from django import template
from django.utils.html import format_html

from images import sizes as image_sizes

register = template.Library()


@register.simple_tag
def picture(image, alt, css_class="", sizes=image_sizes.COLUMN_SIZES, lazy=True):
    """`image` is an ImageField's file; its width and height come from the model's width_field
    and height_field, so the file is not opened. lazy=False for an image in the first screen."""
    width = getattr(image.instance, image.field.width_field)
    height = getattr(image.instance, image.field.height_field)
    attributes = format_html(' alt="{}"', alt)
    if css_class:
        attributes = format_html('{} class="{}"', attributes, css_class)
    return image_sizes.picture(image.name, width, height, attributes, sizes=sizes, lazy=lazy)
