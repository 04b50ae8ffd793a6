import CredmonWeb

await CredmonWebCommand.launchAsRoot()
