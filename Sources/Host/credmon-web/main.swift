import CredmonWeb

await CredmonWebCommand.main()
