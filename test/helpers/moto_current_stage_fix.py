"""moto_server whose UpdateSecretVersionStage moves AWSCURRENT the way Secrets Manager does.

moto 5.2 moves the AWSCURRENT label but not its `default_version_id`, so a later GetSecretValue
without a stage still answers the old version, and a later PutSecretValue leaves two versions
labelled AWSCURRENT. Secrets Manager answers the version that holds AWSCURRENT. This patch keeps
moto's own code and only sets the default version after it, so the Secrets Manager rotation steps
followed by an ordinary read behave on moto as they do on AWS.

Usage: python3 moto_current_stage_fix.py [moto_server arguments]
"""
import sys

from moto.secretsmanager.models import SecretsManagerBackend

_update = SecretsManagerBackend.update_secret_version_stage


def _update_and_move_default(self, secret_id, version_stage, remove_from_version_id, move_to_version_id):
    answer = _update(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
    if version_stage == "AWSCURRENT" and move_to_version_id:
        self.secrets[secret_id].set_default_version_id(move_to_version_id)
    return answer


SecretsManagerBackend.update_secret_version_stage = _update_and_move_default

from moto.server import main  # noqa: E402  (after the patch, like moto_server itself)

main(sys.argv[1:])
