"""An index the inbox's view counts read alone: (brand, status, assignee, team)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("conversations", "0005_search_index")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                fields=["brand", "status", "assignee", "team"], name="conv_brand_status_owner"
            ),
        ),
    ]
