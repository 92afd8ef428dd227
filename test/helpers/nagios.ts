// The Nagios plugin line format (nagios-plugins.org/doc/guidelines.html#AEN200), for the output tests.

/** Nagios plugin guidelines: 'label'=value[UOM];[warn];[crit];[min];[max], space separated. */
export const NAGIOS_RE = /^DRCHECK (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+ \| ('[^'=]+'=-?\d+(\.\d+)?(us|ms|s|%|B|KB|MB|TB|c)?(;(-?\d+(\.\d+)?)?){0,4})( '[^'=]+'=-?\d+(\.\d+)?(us|ms|s|%|B|KB|MB|TB|c)?(;(-?\d+(\.\d+)?)?){0,4})*$/
