#ifndef FAULTLINE_CPCAP_SHIM_H
#define FAULTLINE_CPCAP_SHIM_H
// libpcap: the traffic observer's capture on the router and its capture.pcap file.
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#endif
