/*! jQuery v1.7.2 jquery.com | jquery.org/license (stub for the sample site) */
