"""Outside systems, one package per provider, each behind a small typed Protocol per capability
(RefundGateway, SmsProvider, EmailSender, MessagingChannel, ...). Errors say whether they are
permanent. No plugin manager: the app that needs a provider picks it by a merchant setting."""
