#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <curl/curl.h>
/* Typed, non-variadic wrappers for curl's variadic setopt/getinfo. No logic. */
CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_setopt_write_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode ccurl_setopt_header_callback(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode ccurl_setopt_xferinfo_callback(CURL *handle, int (*callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t));
CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);
#endif
