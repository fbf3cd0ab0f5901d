import FaultlineCore
import Foundation
import ScenarioFormat

/// What happens to one packet of a degraded pair.
public struct PacketDecision: Sendable, Equatable {
    public var drop = false
    /// How long the packet is held, in nanoseconds.
    public var delay: Int64 = 0
    public var duplicate = false
    /// The bit to flip, counted from the start of the packet; nil: left intact.
    public var corruptBit: Int?
    /// Sent without the delay, overtaking the packets before it.
    public var reordered = false
}

/// Decides, packet by packet, what a ``LinkFault`` does to one directed pair — the same
/// decisions for the same seed and the same sequence of packets (pure; no clock, no I/O).
///
/// Every packet takes the same number of draws in the same order (loss, duplicate, corrupt,
/// reorder, jitter), whatever the outcome, so one packet's fate never shifts another's.
public struct LinkDecider: Sendable {
    public let fault: LinkFault
    private var random: SeededRandom
    private let delay: Double
    private let jitter: Double
    private let correlation: Double
    private var lastZ = 0.0
    private var bad = false
    private var sinceReorder = 0

    public init(fault: LinkFault, random: SeededRandom) {
        self.fault = fault
        self.random = random
        delay = Double(fault.delay?.nanoseconds ?? 0)
        jitter = Double(fault.jitter?.nanoseconds ?? 0)
        correlation = fault.correlation?.fraction ?? 0
    }

    /// The fate of the next packet, `length` bytes long, whose transport payload starts at
    /// `payloadOffset` (where a corrupted bit goes, so the packet still reaches its socket).
    public mutating func decide(length: Int, payloadOffset: Int) -> PacketDecision {
        var d = PacketDecision()
        let uLoss = random.unit(), uState = random.unit()
        let uDuplicate = random.unit(), uCorrupt = random.unit(), uBit = random.unit()
        let uReorder = random.unit(), j1 = random.unit(), j2 = random.unit()

        d.drop = lose(uLoss, uState)
        d.duplicate = uDuplicate < (fault.duplicate?.fraction ?? 0)
        if uCorrupt < (fault.corrupt?.fraction ?? 0) {
            // netem flips any bit of the packet; the IP header then fails its checksum and the packet
            // is lost instead. Flipping a payload bit keeps corruption distinct from loss.
            let start = payloadOffset < length ? payloadOffset : 0
            d.corruptBit = start * 8 + Int(uBit * Double((length - start) * 8))
        }
        sinceReorder += 1
        if let reorder = fault.reorder, sinceReorder >= reorder.gap, uReorder < reorder.percent.fraction {
            d.reordered = true
            sinceReorder = 0
        } else {
            d.delay = max(0, Int64((delay + jitter * jitterSample(j1, j2)).rounded()))
        }
        return d
    }

    /// Random loss, or the Gilbert-Elliott chain: the loss draw uses the state the packet found,
    /// then the chain moves (as netem's `loss_gilb_ell`), so a burst in the bad state lasts 1/r packets.
    private mutating func lose(_ u: Double, _ uState: Double) -> Bool {
        switch fault.loss {
        case nil: return false
        case .random(let p): return u < p.fraction
        case .gilbertElliott(let ge):
            let lost = bad ? u >= ge.h.fraction : u >= ge.k.fraction
            if bad { if uState < ge.r.fraction { bad = false } } else if uState < ge.p.fraction { bad = true }
            return lost
        }
    }

    /// A draw with mean 0 and spread 1 in the fault's distribution; uniform spans ±1 (netem's
    /// jitter is the half-width there, the standard deviation elsewhere). Correlation makes an
    /// AR(1) series: z = ρ·previous + √(1−ρ²)·fresh, which keeps the spread.
    private mutating func jitterSample(_ u1: Double, _ u2: Double) -> Double {
        guard jitter > 0 else { return 0 }
        let fresh: Double
        switch fault.distribution {
        case .uniform: fresh = 2 * u1 - 1
        case .normal: fresh = Self.normal(u1, u2)
        case .pareto: fresh = Self.pareto(u1)
        case .paretonormal: fresh = 0.25 * Self.normal(u1, u2) + 0.75 * Self.pareto(u2)
        }
        let z = correlation * lastZ + (1 - correlation * correlation).squareRoot() * fresh
        lastZ = z
        return z
    }

    /// Box-Muller: a standard normal from two uniforms.
    static func normal(_ u1: Double, _ u2: Double) -> Double {
        (-2 * log(max(u1, 1e-300))).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Pareto with shape 3 (the tail of iproute2's `pareto.dist`), shifted and scaled to mean 0, deviation 1.
    static func pareto(_ u: Double) -> Double {
        let x = pow(max(1 - u, 1e-12), -1.0 / 3.0)  // mean 1.5, deviation √0.75
        return (x - 1.5) / 0.75.squareRoot()
    }
}

/// Where an IPv4 packet's transport payload starts; nil for anything the engine cannot read
/// (not IPv4, a truncated header), which then passes untouched and is counted.
public enum PacketLayout {
    public static func payloadOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 20, bytes[0] >> 4 == 4 else { return nil }
        let ihl = Int(bytes[0] & 0x0F) * 4
        guard ihl >= 20, bytes.count >= ihl else { return nil }
        switch bytes[9] {
        case 6 where bytes.count >= ihl + 20: return ihl + Int(bytes[ihl + 12] >> 4) * 4
        case 17 where bytes.count >= ihl + 8: return ihl + 8
        default: return ihl
        }
    }
}
