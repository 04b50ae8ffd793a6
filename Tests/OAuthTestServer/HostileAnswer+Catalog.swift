/// The table of hostile rows.
extension HostileAnswer {
    /// Every row.
    public static let catalog: [HostileAnswer] =
        numberRows + typeRows + bodyRows + stringRows + retryAfterRows + stallRows + connectionRows

    /// The row named `id`.
    public static func named(_ id: String) -> HostileAnswer? { catalog.first { $0.id == id } }
}
