import CredmonWeb

await CredmonWebCommand.launch()
