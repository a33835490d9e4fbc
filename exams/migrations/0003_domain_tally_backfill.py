"""Fill ``DomainTally`` from the attempts submitted before it existed."""

from django.db import migrations

BACKFILL = """
INSERT INTO exams_domaintally (user_id, domain_id, answered, correct)
SELECT a.user_id, q.domain_id, COUNT(*), SUM(CASE WHEN i.is_correct THEN 1 ELSE 0 END)
FROM exams_attemptitem i
JOIN exams_attempt a ON a.id = i.attempt_id
JOIN questions_question q ON q.id = i.question_id
WHERE a.status = 'submitted' AND i.answered_at IS NOT NULL AND i.is_correct IS NOT NULL
GROUP BY a.user_id, q.domain_id
"""


class Migration(migrations.Migration):
    dependencies = [("exams", "0002_domain_tally"), ("questions", "0005_question_search_trigram")]

    operations = [
        migrations.RunSQL(BACKFILL, "DELETE FROM exams_domaintally", elidable=False),
    ]
