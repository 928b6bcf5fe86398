/// A small, strict zlib/deflate decoder (RFC 1950, RFC 1951) and the PNG predictors (PDF
/// `/DecodeParms /Predictor 10…15`), for what the image-size fast path must read: content
/// streams, cross-reference streams and object streams. Image data is never decoded here.
///
/// Every input is hostile: output is capped, every read is bounds-checked, and anything not
/// exactly well formed (a bad header, an over-subscribed code, a distance before the start, a
/// stream that ends before its last block) is a failure — the caller then leaves the question to
/// poppler. Foundation on Linux exposes no zlib; with a `CZlib` system library this could be
/// `inflate(3)` instead, with the same contract.
enum Flate {
    /// The zlib-wrapped deflate data in `input` (a PDF `/FlateDecode` stream), at most `limit`
    /// bytes of output; nil when malformed or larger. The Adler-32 trailer is not checked (nor
    /// required), as poppler does not check it either.
    static func inflateZlib(_ input: [UInt8], limit: Int) -> [UInt8]? {
        guard input.count >= 2 else { return nil }
        let cmf = Int(input[0])
        let flg = Int(input[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0, flg & 0x20 == 0 else { return nil }
        var inflater = Inflater(input: input, start: 2, limit: limit)
        return inflater.run()
    }

    /// Undoes a PNG predictor (`/Predictor` 10…15; each row starts with its filter type byte).
    /// `/Predictor` 1 (or none) is the identity; TIFF (2) and anything unusual give nil.
    static func unpredict(_ data: [UInt8], parameters: [String: PDFValue]?) -> [UInt8]? {
        guard let parameters else { return data }
        let predictor = parameters["Predictor"]?.intValue ?? 1
        if predictor == 1 { return data }
        guard (10...15).contains(predictor) else { return nil }
        let colors = parameters["Colors"]?.intValue ?? 1
        let bits = parameters["BitsPerComponent"]?.intValue ?? 8
        let columns = parameters["Columns"]?.intValue ?? 1
        guard (1...4).contains(colors), bits == 8, (1...65_536).contains(columns) else { return nil }
        let pixelBytes = colors
        let rowBytes = columns * colors
        let stride = rowBytes + 1
        guard data.count % stride == 0 else { return nil }
        let rows = data.count / stride
        var output = [UInt8](repeating: 0, count: rows * rowBytes)
        var previous = [UInt8](repeating: 0, count: rowBytes)
        var current = [UInt8](repeating: 0, count: rowBytes)
        for row in 0..<rows {
            let start = row * stride
            let type = data[start]
            for index in 0..<rowBytes {
                let raw = data[start + 1 + index]
                let left = index >= pixelBytes ? current[index - pixelBytes] : 0
                let up = previous[index]
                let upLeft = index >= pixelBytes ? previous[index - pixelBytes] : 0
                let value: UInt8
                switch type {
                case 0: value = raw
                case 1: value = raw &+ left
                case 2: value = raw &+ up
                case 3: value = raw &+ UInt8((Int(left) + Int(up)) / 2)
                case 4: value = raw &+ paeth(left, up, upLeft)
                default: return nil
                }
                current[index] = value
            }
            output.replaceSubrange((row * rowBytes)..<((row + 1) * rowBytes), with: current)
            swap(&previous, &current)
        }
        return output
    }

    private static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a))
        let pb = abs(p - Int(b))
        let pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}

/// Canonical Huffman decoding as in zlib's `puff.c`, with a 9-bit lookup table in front.
private struct Huffman {
    static let fastBits = 9
    /// Codes of each length 0…15.
    var counts = [Int](repeating: 0, count: 16)
    /// Symbols ordered by code.
    var symbols: [Int]
    /// For the next `fastBits` input bits (least significant first): symbol << 4 | length, or
    /// -1 when the code is longer (or unused).
    var fast = [Int](repeating: -1, count: 1 << fastBits)

    /// Nil when the lengths over-subscribe the code space. Incomplete codes are allowed (a
    /// single distance code is common); reading an unused code is then an error.
    init?(lengths: ArraySlice<Int>) {
        symbols = [Int](repeating: 0, count: lengths.count)
        for length in lengths { counts[length] += 1 }
        var left = 1
        for length in 1..<16 {
            left <<= 1
            left -= counts[length]
            if left < 0 { return nil }
        }
        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[length]] = symbol
            offsets[length] += 1
        }
        // The fast table: walk the canonical codes in order.
        var code = 0
        var index = 0
        for length in 1...15 {
            for _ in 0..<counts[length] {
                if length <= Self.fastBits {
                    var reversed = 0
                    for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
                    var slot = reversed
                    while slot < (1 << Self.fastBits) {
                        fast[slot] = symbols[index] << 4 | length
                        slot += 1 << length
                    }
                }
                code += 1
                index += 1
            }
            code <<= 1
        }
        counts[0] = 0
    }
}

private struct Inflater {
    let input: [UInt8]
    var position: Int
    let limit: Int
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var output: [UInt8] = []

    init(input: [UInt8], start: Int, limit: Int) {
        self.input = input
        self.position = start
        self.limit = limit
    }

    enum Failure: Error { case malformed }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let fixedLiterals: Huffman = {
        var lengths = [Int](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        return Huffman(lengths: lengths[...])!
    }()
    static let fixedDistances = Huffman(lengths: [Int](repeating: 5, count: 30)[...])!

    mutating func run() -> [UInt8]? {
        do {
            var last = false
            while !last {
                last = try bits(1) == 1
                switch try bits(2) {
                case 0: try stored()
                case 1: try codes(Self.fixedLiterals, Self.fixedDistances)
                case 2:
                    let (literals, distances) = try dynamicTables()
                    try codes(literals, distances)
                default: throw Failure.malformed
                }
            }
            return output
        } catch {
            return nil
        }
    }

    /// Tops the bit buffer up to at least `count` bits when the input allows.
    private mutating func refill(_ count: Int) {
        while bitCount < count, position < input.count {
            bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    private mutating func bits(_ count: Int) throws -> Int {
        refill(count)
        guard bitCount >= count else { throw Failure.malformed }
        let value = Int(bitBuffer & ((1 << UInt64(count)) - 1))
        bitBuffer >>= UInt64(count)
        bitCount -= count
        return value
    }

    private mutating func decode(_ code: Huffman) throws -> Int {
        refill(Huffman.fastBits)
        if bitCount >= Huffman.fastBits {
            let entry = code.fast[Int(bitBuffer & UInt64((1 << Huffman.fastBits) - 1))]
            if entry >= 0 {
                let length = entry & 15
                bitBuffer >>= UInt64(length)
                bitCount -= length
                return entry >> 4
            }
        }
        // Bit by bit (puff.c): longer codes, or the last few bits of the input.
        var value = 0
        var first = 0
        var index = 0
        for length in 1...15 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + (value - first)] }
            index += count
            first += count
            first <<= 1
            value <<= 1
        }
        throw Failure.malformed
    }

    private mutating func stored() throws {
        // Discard to the byte boundary; whole bytes still in the buffer come first.
        let drop = bitCount % 8
        bitBuffer >>= UInt64(drop)
        bitCount -= drop
        let length = try bits(16)
        let complement = try bits(16)
        guard length == ~complement & 0xFFFF else { throw Failure.malformed }
        guard output.count + length <= limit else { throw Failure.malformed }
        for _ in 0..<length { output.append(UInt8(try bits(8))) }
    }

    private mutating func codes(_ literals: Huffman, _ distances: Huffman) throws {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                guard output.count < limit else { throw Failure.malformed }
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let lengthIndex = symbol - 257
                guard lengthIndex < Self.lengthBase.count else { throw Failure.malformed }
                let length = Self.lengthBase[lengthIndex] + (try bits(Self.lengthExtra[lengthIndex]))
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < Self.distanceBase.count else { throw Failure.malformed }
                let distance = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
                guard distance <= output.count, output.count + length <= limit else { throw Failure.malformed }
                var from = output.count - distance
                for _ in 0..<length {
                    output.append(output[from])
                    from += 1
                }
            }
        }
    }

    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private mutating func dynamicTables() throws -> (Huffman, Huffman) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw Failure.malformed }
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<codeLengthCount { codeLengths[Self.codeLengthOrder[index]] = try bits(3) }
        guard let lengthCode = Huffman(lengths: codeLengths[...]) else { throw Failure.malformed }
        var lengths = [Int](repeating: 0, count: literalCount + distanceCount)
        var index = 0
        while index < lengths.count {
            var symbol = try decode(lengthCode)
            if symbol < 16 {
                lengths[index] = symbol
                index += 1
                continue
            }
            var repeated = 0
            if symbol == 16 {
                guard index > 0 else { throw Failure.malformed }
                repeated = lengths[index - 1]
                symbol = 3 + (try bits(2))
            } else if symbol == 17 {
                symbol = 3 + (try bits(3))
            } else {
                symbol = 11 + (try bits(7))
            }
            guard index + symbol <= lengths.count else { throw Failure.malformed }
            for _ in 0..<symbol {
                lengths[index] = repeated
                index += 1
            }
        }
        guard lengths[256] != 0,
            let literals = Huffman(lengths: lengths[0..<literalCount]),
            let distances = Huffman(lengths: lengths[literalCount...])
        else { throw Failure.malformed }
        return (literals, distances)
    }
}
