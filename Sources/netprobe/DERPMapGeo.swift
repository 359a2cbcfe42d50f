import RelayCore

/// The region table netprobe ships, with a netprobe error when it is missing.
enum DERPMapGeo {
    static func table() throws -> DERPRegionGeoTable {
        do {
            return try DERPRegionGeoTable.embedded()
        } catch let error as DERPMapError {
            throw NetprobeError.failure("\(error)")
        }
    }
}
