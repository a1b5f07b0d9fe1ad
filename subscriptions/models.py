# Newsletter subscribers, editions and the paywall's plans arrive with the subscriptions issue.
