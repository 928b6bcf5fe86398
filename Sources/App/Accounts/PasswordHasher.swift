import Crypto
import Foundation
import HummingbirdBcrypt
import NIOCore
import NIOPosix

/// bcrypt, run on threads of its own so a deliberately slow hash blocks neither an event loop
/// nor the database's threads.
public struct PasswordHasher: Sendable {
    /// As many threads as cores: bcrypt is pure CPU, so more would only queue in the kernel.
    /// Process-wide like NIO's singleton, and like it never shut down.
    static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    public let cost: Int
    /// A hash of a random string, checked when the account does not exist.
    let decoyHash: String

    public init(cost: Int) {
        self.cost = cost
        self.decoyHash = Bcrypt.hash(String(UInt64.random(in: .min ... .max)), cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        return try await Self.threads.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        if hash.hasPrefix(Self.initialPasswordPrefix) {
            // Same time as a bcrypt check, so a login does not reveal that the account still
            // has its initial password.
            try await verifyAgainstNothing(password)
            return Self.constantTimeEqual(Self.initialPasswordHash(for: password), hash)
        }
        return try await Self.threads.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// ADM-6, bulk speed (issue 9 "Speed"): the initial password is the ID number's last 8
    /// characters, which the database holds in plain text anyway, so bcrypt would protect
    /// nothing and cost a bulk import minutes. An account made with it stores this marker, a
    /// SHA-256 of the suffix (it satisfies migration 0004's `length >= 50` check); `verify`
    /// compares it in constant time, and `must_change_password` forces a real password (bcrypt)
    /// at the first login.
    public static let initialPasswordPrefix = "$zhtj-initial-id-suffix$"

    public static func initialPasswordHash(for suffix: String) -> String {
        let digest = SHA256.hash(data: Data(("zhtj-initial-v1:" + suffix.uppercased()).utf8))
        return initialPasswordPrefix + digest.lowercaseHex
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// Spends the same time as a real check when the account does not exist, so response
    /// times do not reveal which accounts exist.
    public func verifyAgainstNothing(_ password: String) async throws {
        _ = try await verify(password, hash: decoyHash)
    }
}

/// What a new password must satisfy. **(decided)** 8–64 characters with at least one letter
/// and one digit, and never the initial password derived from the ID number (ADM-6).
public enum PasswordPolicy {
    public static func problem(with password: String, idNumberSuffix: String) -> String? {
        if password.count < 8 || password.count > 64 { return "新密码长度须为8至64位" }
        if !password.contains(where: { $0.isLetter }) || !password.contains(where: { $0.isNumber }) {
            return "新密码须同时包含字母和数字"
        }
        if password.uppercased() == idNumberSuffix.uppercased() { return "新密码不能与初始密码（身份证号后8位）相同" }
        return nil
    }
}
