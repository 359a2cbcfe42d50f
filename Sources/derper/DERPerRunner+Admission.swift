import Logging
import RelayCore

/// Client admission from the flags: `-allow-keys-file`, then `-verify-client-url` (spec/derp.md §11).
extension DERPerRunner {
    /// The allowlist, read now so that a bad file stops startup with its line number.
    func makeAllowList() throws -> AllowListAdmissionPolicy? {
        guard let path = options.allowKeysFile else { return nil }
        let allowList: AllowListAdmissionPolicy
        do { allowList = try AllowListAdmissionPolicy(path: path) } catch {
            throw DERPerStartupError(description: "-allow-keys-file: \(error.description)")
        }
        if allowList.count == 0 {
            logger.warning("allowlist is empty; every client but mesh peers will be rejected", metadata: ["path": "\(path)"])
        } else {
            logger.info("admission: allowlist loaded", metadata: ["path": "\(path)", "keys": "\(allowList.count)"])
        }
        return allowList
    }

    /// The allowlist and the webhook, both required when both are set; nil admits everyone.
    func makeAdmissionPolicy(allowList: AllowListAdmissionPolicy?) throws -> (any DERPAdmissionPolicy)? {
        var policies: [any DERPAdmissionPolicy] = []
        if let allowList { policies.append(allowList) }
        if let url = options.verifyClientURL {
            let configuration = WebhookAdmissionConfiguration(url: url, failOpen: options.verifyClientURLFailOpen)
            do { policies.append(try WebhookAdmissionPolicy(configuration: configuration, logger: logger)) } catch {
                throw DERPerStartupError(description: "-verify-client-url: \(error.description)")
            }
            logger.info("admission: webhook", metadata: [
                "url": "\(WebhookURL.redacted(url))", "fail_open": "\(options.verifyClientURLFailOpen)",
            ])
        }
        switch policies.count {
        case 0: return nil
        case 1: return policies.first
        default: return CombinedAdmissionPolicy(policies)
        }
    }
}
