/// The version of Faultline that wrote a report.
public enum FaultlineVersion {
    public static let current = "0.1.0"
}
