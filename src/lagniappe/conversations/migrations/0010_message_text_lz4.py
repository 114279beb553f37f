from django.db import migrations

from lagniappe.core.postgresql.compression import lz4_for


class Migration(migrations.Migration):
    dependencies = [("conversations", "0009_threadkey_brand_index_covered")]

    operations = [lz4_for("conversations", "Message", ["text", "html"])]
