import Foundation

/// Region geodata (region → city → country → continent), the lookup table behind geofencing
/// filters. Loaded from `derp-regions.csv`: UTF-8, a header row naming the columns
/// `region_id,region_code,city,country_iso2,continent` (in any order; others are ignored),
/// one region per row, fields optionally in double quotes with `""` for a quote.
package struct DERPRegionGeoTable: Sendable, Hashable {
    package private(set) var entries: [DERPRegionGeo]
    private var indexByID: [Int: Int]
    private var indexByCode: [String: Int]

    /// A table of `entries`; region IDs and codes (without case) must be unique.
    package init(entries: [DERPRegionGeo]) throws {
        self.entries = []
        self.indexByID = [:]
        self.indexByCode = [:]
        for entry in entries {
            try add(entry, line: nil)
        }
    }

    /// The table shipped with RelayCore (Tailscale's 28 default regions as of 2026-09-01).
    package static func embedded() throws -> DERPRegionGeoTable {
        let data = try DERPMapResources.data(forResource: "derp-regions", withExtension: "csv")
        return try DERPRegionGeoTable(csv: String(decoding: data, as: UTF8.self))
    }

    /// Parses the CSV text described above.
    package init(csv: String) throws {
        try self.init(entries: [])
        // "\r\n" is one Character, and a newline, so this splits both line-end styles.
        var lines = csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else {
            throw DERPMapError.invalidGeoData("region table is empty")
        }
        let header = try Self.fields(of: headerLine, line: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let required = ["region_id", "region_code", "city", "country_iso2", "continent"]
        var column: [String: Int] = [:]
        for name in required {
            guard let index = header.firstIndex(of: name) else {
                throw DERPMapError.invalidGeoData("region table header lacks column \(name)", line: 1)
            }
            column[name] = index
        }
        for (offset, text) in lines.enumerated().dropFirst() where !text.isEmpty {
            let line = offset + 1
            let fields = try Self.fields(of: text, line: line)
            func field(_ name: String) throws -> String {
                guard let index = column[name], index < fields.count else {
                    throw DERPMapError.invalidGeoData("row has no \(name)", line: line)
                }
                return fields[index].trimmingCharacters(in: .whitespaces)
            }
            guard let id = Int(try field("region_id")), id > 0 else {
                throw DERPMapError.invalidGeoData("region_id is not a positive integer", line: line)
            }
            let code = try field("region_code")
            guard !code.isEmpty else { throw DERPMapError.invalidGeoData("region_code is empty", line: line) }
            let country = try field("country_iso2").uppercased()
            guard country.utf8.count == 2, country.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
                throw DERPMapError.invalidGeoData("country_iso2 \"\(country)\" is not two letters", line: line)
            }
            let continentCode = try field("continent")
            guard let continent = GeoContinent(code: continentCode) else {
                let valid = GeoContinent.allCases.map(\.code).joined(separator: ", ")
                throw DERPMapError.invalidGeoData("unknown continent \"\(continentCode)\" (valid: \(valid))", line: line)
            }
            let entry = DERPRegionGeo(
                regionID: id,
                regionCode: code,
                city: try field("city"),
                countryCode: country,
                continent: continent
            )
            try add(entry, line: line)
        }
    }

    private mutating func add(_ entry: DERPRegionGeo, line: Int?) throws {
        guard indexByID[entry.regionID] == nil else {
            throw DERPMapError.invalidGeoData("region \(entry.regionID) is listed twice", line: line)
        }
        let code = entry.regionCode.lowercased()
        guard indexByCode[code] == nil else {
            throw DERPMapError.invalidGeoData("region code \(entry.regionCode) is listed twice", line: line)
        }
        indexByID[entry.regionID] = entries.count
        indexByCode[code] = entries.count
        entries.append(entry)
    }

    /// One CSV record's fields (no newlines inside quotes).
    private static func fields(of line: Substring, line number: Int) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var iterator = line.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if inQuotes {
                if character == "\"" {
                    if pending == "\"" {
                        current.append("\"")
                        pending = iterator.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"", current.isEmpty {
                inQuotes = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !inQuotes else {
            throw DERPMapError.invalidGeoData("unterminated quoted field", line: number)
        }
        fields.append(current)
        return fields
    }

    // MARK: Lookup

    package func geo(regionID: Int) -> DERPRegionGeo? {
        indexByID[regionID].map { entries[$0] }
    }

    /// Looks a region up by its code, without case.
    package func geo(regionCode: String) -> DERPRegionGeo? {
        indexByCode[regionCode.lowercased()].map { entries[$0] }
    }

    /// The country codes that have at least one region, sorted.
    package var countryCodes: [String] {
        Set(entries.map(\.countryCode)).sorted()
    }

    /// The continents that have at least one region, in code order.
    package var continents: [GeoContinent] {
        let present = Set(entries.map(\.continent))
        return GeoContinent.allCases.filter(present.contains)
    }

    package func regionIDs(inCountries codes: Set<String>) -> Set<Int> {
        let wanted = Set(codes.map { $0.uppercased() })
        return Set(entries.filter { wanted.contains($0.countryCode) }.map(\.regionID))
    }

    package func regionIDs(in continent: GeoContinent) -> Set<Int> {
        Set(entries.filter { $0.continent == continent }.map(\.regionID))
    }
}
