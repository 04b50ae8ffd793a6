import CredmonHost

await CredmonCommand.launch()
