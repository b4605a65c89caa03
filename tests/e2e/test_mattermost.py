"""End-to-end on Mattermost: the scenarios the Discord and Slack tests share,
over /api/v4/websocket and the REST API (tests/fakes/mattermost/), and the
fake's misbehaviours, each on its own."""

import time
import unittest

from platforms import MattermostWorld, PlatformCase, RestScenarios, Scenarios


class Mattermost(Scenarios, PlatformCase):
    WORLD = MattermostWorld


class Rest(RestScenarios, PlatformCase):
    WORLD = MattermostWorld


if __name__ == "__main__":
    unittest.main()
