from django.db import migrations

from lagniappe.core.postgresql.compression import lz4_for


class Migration(migrations.Migration):
    dependencies = [("lagniappe_channels", "0003_delivery_automatic")]

    operations = [lz4_for("lagniappe_channels", "InboundEnvelope", ["raw"])]
